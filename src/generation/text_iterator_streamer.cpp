// TextIteratorStreamer: pieces handed from the generate() thread to a consumer thread.
#include <condition_variable>
#include <deque>
#include <mutex>

#include "hf/streamers.h"

namespace hf {

struct TextIteratorStreamer::Queue {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::optional<std::string>> pieces;  // nullopt = end of stream
  bool cancelled = false;
  bool producing = false;  // between the first put() and end()
};

TextIteratorStreamer::TextIteratorStreamer(Tokenizer tokenizer, TextStreamerOptions options,
                                           std::optional<std::chrono::milliseconds> timeout)
    : TextStreamer(std::move(tokenizer), options), timeout_(timeout), queue_(std::make_unique<Queue>()) {}

TextIteratorStreamer::~TextIteratorStreamer() {
  // The consumer is going away: ask generate() to stop, and wait until it no longer touches us.
  std::unique_lock lock(queue_->mu);
  queue_->cancelled = true;
  queue_->cv.wait(lock, [&] { return !queue_->producing; });
}

void TextIteratorStreamer::put(std::span<const int32_t> ids, int batch) {
  {
    std::lock_guard lock(queue_->mu);
    queue_->producing = true;
  }
  TextStreamer::put(ids, batch);
}

void TextIteratorStreamer::end() {
  TextStreamer::end();
  std::lock_guard lock(queue_->mu);
  queue_->producing = false;
  queue_->cv.notify_all();
}

bool TextIteratorStreamer::stop_requested() const {
  std::lock_guard lock(queue_->mu);
  return queue_->cancelled;
}

void TextIteratorStreamer::cancel() {
  std::lock_guard lock(queue_->mu);
  queue_->cancelled = true;
}

void TextIteratorStreamer::on_finalized_text(const std::string& text, bool stream_end) {
  std::lock_guard lock(queue_->mu);
  queue_->pieces.emplace_back(text);
  if (stream_end) queue_->pieces.emplace_back(std::nullopt);
  queue_->cv.notify_all();
}

std::optional<std::string> TextIteratorStreamer::next() {
  std::unique_lock lock(queue_->mu);
  auto ready = [&] { return !queue_->pieces.empty(); };
  if (timeout_) {
    if (!queue_->cv.wait_for(lock, *timeout_, ready))
      throw StreamerTimeout("TextIteratorStreamer: no text within " + std::to_string(timeout_->count()) +
                            " ms (timeout); is generate() running with this streamer?");
  } else {
    queue_->cv.wait(lock, ready);
  }
  std::optional<std::string> v = std::move(queue_->pieces.front());
  queue_->pieces.pop_front();
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
