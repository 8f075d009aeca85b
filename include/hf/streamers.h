#pragma once
// Streamers, as transformers' generation/streamers.py (see hf-semantics §1):
//
//   hf::TextStreamer console(tok, {.skip_prompt = true, .skip_special_tokens = true});
//   model.generate(in, {.max_new_tokens = 512, .streamer = &console});
//
//   hf::TextIteratorStreamer it(tok, {.skip_prompt = true, .skip_special_tokens = true});
//   std::jthread worker([&] { model.generate(in, {.streamer = &it}); });
//   for (const std::string& piece : it.pieces()) std::cout << piece << std::flush;
//
// (`it.pieces()` rather than Python's `for piece in it`: C++'s range-for would call the
// streamer's own end(), the BaseStreamer method generate() calls.)
//
// generate() calls put() once with the whole prompt ([batch, prompt_len]), then once per step with
// the new token of each row ([batch]), then end() once.
//
// Text streamers follow transformers' flush rules exactly (flush on a trailing newline, after a
// CJK ideograph, else up to the last space), and additionally never emit part of a UTF-8
// character: text is only ever cut at a character boundary, and a trailing U+FFFD that stands for
// a not-yet-complete byte sequence is held back. The concatenation of everything emitted equals
// tokenizer.decode(all streamed ids, decode options).
#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hf/export.h"
#include "hf/error.h"
#include "hf/tokenizer.h"

namespace hf {

class HF_API BaseStreamer {
 public:
  virtual ~BaseStreamer() = default;
  // `ids` holds `batch` rows of ids.size() / batch tokens each.
  virtual void put(std::span<const int32_t> ids, int batch) = 0;
  virtual void end() = 0;
  // Polled by generate() at every step: true ends generation as if every row had finished (a
  // consumer that went away).
  virtual bool stop_requested() const { return false; }
};

struct HF_API TextStreamerOptions {
  bool skip_prompt = false;                          // drop the first put() (the prompt)
  bool skip_special_tokens = false;                  // decode options, forwarded to decode()
  std::optional<bool> clean_up_tokenization_spaces{};
};

class HF_API TextStreamer : public BaseStreamer {
 public:
  // Prints to `out` (default std::cout), flushing after each piece; a newline at the end.
  explicit TextStreamer(Tokenizer tokenizer, TextStreamerOptions options = {}, std::ostream* out = nullptr);
  void put(std::span<const int32_t> ids, int batch) override;  // batch > 1 → hf::InputError
  void end() override;

 protected:
  // Called with every piece, "" included (as transformers does); stream_end on the last one.
  virtual void on_finalized_text(const std::string& text, bool stream_end);

 private:
  Tokenizer tok_;
  TextStreamerOptions opts_;
  DecodeOptions decode_;
  std::ostream* out_;
  std::vector<int32_t> token_cache_;
  size_t print_len_ = 0;  // bytes of decode(token_cache_) already emitted
  bool next_tokens_are_prompt_ = true;
};

// A TextStreamer whose pieces go to a function (library users' hook: a UI, a socket...).
class HF_API CallbackStreamer : public TextStreamer {
 public:
  using Callback = std::function<void(const std::string& text, bool stream_end)>;
  CallbackStreamer(Tokenizer tokenizer, Callback callback, TextStreamerOptions options = {});

 protected:
  void on_finalized_text(const std::string& text, bool stream_end) override;

 private:
  Callback callback_;
};

// Thrown by TextIteratorStreamer when no piece arrives within its timeout (Python: queue.Empty).
class HF_API StreamerTimeout : public Error {
  using Error::Error;
};

// Pieces through a thread-safe queue: generate() runs on one thread, another iterates.
// Destroying the streamer (or calling cancel()) while generate() runs makes generate() stop at
// its next step; the destructor waits until generate() has called end(), so it is safe to let
// the streamer go out of scope with the worker still running.
class HF_API TextIteratorStreamer : public TextStreamer {
 public:
  explicit TextIteratorStreamer(Tokenizer tokenizer, TextStreamerOptions options = {},
                                std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  ~TextIteratorStreamer() override;

  void put(std::span<const int32_t> ids, int batch) override;
  void end() override;
  bool stop_requested() const override;
  void cancel();  // the consumer gives up: generate() stops at its next step

  // The next piece ("" pieces included, as in Python); nullopt at the end of the stream.
  // hf::StreamerTimeout after `timeout` without a piece.
  std::optional<std::string> next();

  class iterator {
   public:
    using value_type = std::string;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    explicit iterator(TextIteratorStreamer* s) : s_(s) { ++*this; }
    const std::string& operator*() const { return value_; }
    iterator& operator++();
    bool operator==(const iterator& o) const { return s_ == o.s_; }
    bool operator!=(const iterator& o) const { return s_ != o.s_; }

   private:
    TextIteratorStreamer* s_ = nullptr;
    std::string value_;
  };
  struct Pieces {
    TextIteratorStreamer* s;
    iterator begin() const { return iterator(s); }
    iterator end() const { return iterator(); }
  };
  Pieces pieces() { return Pieces{this}; }  // for (const std::string& piece : it.pieces())

 protected:
  void on_finalized_text(const std::string& text, bool stream_end) override;

 private:
  struct Queue;  // the pieces, their mutex and condition variable (text_iterator_streamer.cpp)
  std::optional<std::chrono::milliseconds> timeout_{};
  std::unique_ptr<Queue> queue_;
};

}  // namespace hf
