#pragma once
// HF_API marks what the library exports. The shared libhfcpp.so is compiled with
// -fvisibility=hidden, so only declarations marked HF_API (classes, free functions, error types
// whose typeinfo must cross the library boundary) are visible to applications; everything in src/
// stays internal. In a static build HF_API is empty: an application that links libhfcpp.a into
// its own shared library must not re-export hfcpp's symbols.
//
// HF_SHARED is defined by the hfcpp CMake target (and the pkg-config file) when the library was
// built shared; applications never define it themselves.
#if defined(HF_SHARED) && (defined(__GNUC__) || defined(__clang__))
#define HF_API __attribute__((visibility("default")))
#else
#define HF_API
#endif
