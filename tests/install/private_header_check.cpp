// Built (and expected to fail) by the install_no_private_headers test: a target that links
// hfcpp::hfcpp, as an add_subdirectory()/FetchContent consumer does, sees the public headers
// only. The first include must work, the second must not be found.
#include <hf/error.h>

#include "core/log.h"

int main() { return 0; }
