// make_decoder(): "type" → builder; Sequence lives here.
#include "tokenizers/decoders/decoders.h"

namespace hf::tok {

namespace {
class SequenceDecoder : public Decoder {
 public:
  explicit SequenceDecoder(std::vector<std::unique_ptr<Decoder>> parts) : parts_(std::move(parts)) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (const auto& p : parts_) p->decode_chain(tokens);
  }

 private:
  std::vector<std::unique_ptr<Decoder>> parts_;
};
}  // namespace

std::unique_ptr<Decoder> make_decoder(const json& j, const std::string& path) {
  if (j.is_null()) return nullptr;
  std::string type = component_type(j, path);
  if (type == "ByteLevel") return make_byte_level_decoder();
  if (type == "Metaspace") return make_metaspace_decoder(j, path);
  if (type == "ByteFallback") return make_byte_fallback_decoder();
  if (type == "Fuse") return make_fuse_decoder();
  if (type == "Strip") return make_strip_decoder(j, path);
  if (type == "Replace") return make_replace_decoder(j, path);
  if (type == "WordPiece") return make_wordpiece_decoder(j, path);
  if (type == "BPEDecoder") return make_bpe_decoder(j, path);
  if (type == "CTC") return make_ctc_decoder(j, path);
  if (type == "Sequence") return std::make_unique<SequenceDecoder>(sequence_parts<Decoder>(j, "decoders", path, make_decoder));
  unknown_type(path, "decoder", type);
}

}  // namespace hf::tok
