// Every exception the library or the standard library can throw, worded for a user. hf::Error
// already says where and what; the standard exceptions below only know what, so the message
// adds the likely cause.
#include "cli/failure.h"

#include <filesystem>
#include <new>
#include <system_error>

#include "core/json.h"
#include "hf/error.h"

namespace hf::cli {

std::string describe_failure(std::exception_ptr failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const hf::Error& e) {
    return e.what();
  } catch (const std::bad_alloc&) {
    return "out of memory (the model, its context or a batch does not fit in this machine's memory; try a "
           "smaller model, a shorter context (-c) or fewer tokens)";
  } catch (const std::filesystem::filesystem_error& e) {
    std::string where = e.path1().string();
    if (!e.path2().empty()) where += " -> " + e.path2().string();
    return (where.empty() ? std::string() : where + ": ") + e.code().message();
  } catch (const json::exception& e) {
    return "invalid JSON: " + std::string(e.what());
  } catch (const std::system_error& e) {
    // Typically a thread or file the operating system refused (resource limits).
    return "the system refused an operation: " + std::string(e.what());
  } catch (const std::length_error& e) {
    return "a size is too large to handle (" + std::string(e.what()) + ")";
  } catch (const std::out_of_range& e) {
    return "a value is out of range (" + std::string(e.what()) + ")";
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an unknown exception stopped the command";
  }
}

}  // namespace hf::cli
