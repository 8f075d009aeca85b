#pragma once
// Whether the client of a non-streamed request is still there. A streamed request learns it when
// a write fails; a non-streamed one writes nothing until its answer is complete, so without this
// a client that hangs up would keep its slot until generation ends. cpp-httplib 0.11 does not
// hand its handlers the socket, so the connection is found once by its two addresses (the
// request's remote and local address and port) among the process's sockets, then polled: the
// peer's FIN or RST makes it readable with nothing to read, or reports POLLRDHUP/POLLHUP.
#include <string>

namespace httplib {
struct Request;
}

namespace hf::server {

class ClientConnection {
 public:
  explicit ClientConnection(const httplib::Request& req);
  // True once the client has closed or reset the connection. Never blocks. Always false when the
  // socket could not be found (then the request simply runs to its end, as before).
  bool gone() const;

 private:
  int fd_ = -1;
};

}  // namespace hf::server
