// TextIteratorStreamer: pieces handed from the generate() thread to a consumer thread.
#include "hf/streamers.h"

namespace hf {

TextIteratorStreamer::TextIteratorStreamer(Tokenizer tokenizer, TextStreamerOptions options,
                                           std::optional<std::chrono::milliseconds> timeout)
    : TextStreamer(std::move(tokenizer), options), timeout_(timeout) {}

TextIteratorStreamer::~TextIteratorStreamer() {
  // The consumer is going away: ask generate() to stop, and wait until it no longer touches us.
  std::unique_lock lock(mu_);
  cancelled_ = true;
  cv_.wait(lock, [&] { return !producing_; });
}

void TextIteratorStreamer::put(std::span<const int32_t> ids, int batch) {
  {
    std::lock_guard lock(mu_);
    producing_ = true;
  }
  TextStreamer::put(ids, batch);
}

void TextIteratorStreamer::end() {
  TextStreamer::end();
  std::lock_guard lock(mu_);
  producing_ = false;
  cv_.notify_all();
}

bool TextIteratorStreamer::stop_requested() const {
  std::lock_guard lock(mu_);
  return cancelled_;
}

void TextIteratorStreamer::cancel() {
  std::lock_guard lock(mu_);
  cancelled_ = true;
}

void TextIteratorStreamer::on_finalized_text(const std::string& text, bool stream_end) {
  std::lock_guard lock(mu_);
  queue_.emplace_back(text);
  if (stream_end) queue_.emplace_back(std::nullopt);
  cv_.notify_all();
}

std::optional<std::string> TextIteratorStreamer::next() {
  std::unique_lock lock(mu_);
  auto ready = [&] { return !queue_.empty(); };
  if (timeout_) {
    if (!cv_.wait_for(lock, *timeout_, ready))
      throw StreamerTimeout("TextIteratorStreamer: no text within " + std::to_string(timeout_->count()) +
                            " ms (timeout); is generate() running with this streamer?");
  } else {
    cv_.wait(lock, ready);
  }
  std::optional<std::string> v = std::move(queue_.front());
  queue_.pop_front();
  return v;
}

TextIteratorStreamer::iterator& TextIteratorStreamer::iterator::operator++() {
  if (!s_) return *this;
  std::optional<std::string> v = s_->next();
  if (v) value_ = std::move(*v);
  else s_ = nullptr;
  return *this;
}

}  // namespace hf
