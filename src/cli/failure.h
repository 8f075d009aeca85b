#pragma once
// Turning any failure into the one line a user sees: `hfcpp: error: <what happened>`.
#include <exception>
#include <string>

namespace hf::cli {

// The message for the exception in flight (`std::current_exception()`), worded for a user: an
// hf::Error as it is, out of memory, a file-system error with its path, malformed JSON, ... Never
// "internal error": a user cannot act on that.
std::string describe_failure(std::exception_ptr failure);

}  // namespace hf::cli
