// A client of a NON-streamed request that hangs up mid-generation: its sequence is cancelled (the
// slot frees at the next step) and the request is counted as 499, nginx's "client closed
// request". The client is a raw socket, closed once the scheduler runs the sequence, so nothing
// depends on how fast the model is: 30000 tokens would take the tiny model many seconds.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "server_fixture.h"

namespace hf::server::testing {
namespace {

// Polls `done` every 10 ms for at most 30 s.
template <class F>
bool eventually(F done) {
  for (int i = 0; i < 3000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(Disconnect, NonStreamedClientThatHangsUpFreesItsSlot) {
  RunningServer s;
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(s.server->port()));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  const std::string body = json{{"model", "tiny-qwen2"},
                                {"messages", json::array({{{"role", "user"}, {"content", "hi"}}})},
                                {"max_tokens", 4000}, {"temperature", 0}}.dump();  // the fixture server's context is 4096
  const std::string request = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                              "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  ASSERT_EQ(send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  ASSERT_TRUE(eventually([&] { return s.server->scheduler()->active() == 1; })) << "the request never started: " << s.server->metrics().text();
  close(fd);
  EXPECT_TRUE(eventually([&] { return s.server->scheduler()->active() == 0; })) << "the slot was not freed";
  EXPECT_TRUE(eventually([&] {
    return s.server->metrics().text().find(R"(endpoint="/v1/chat/completions",status="499"} 1)") != std::string::npos;
  })) << s.server->metrics().text();
  // The server still answers.
  auto [status, reply] = s.post("/v1/chat/completions", {{"model", "tiny-qwen2"},
                                                         {"messages", json::array({{{"role", "user"}, {"content", "hi"}}})},
                                                         {"max_tokens", 2}});
  EXPECT_EQ(status, 200) << reply.dump();
}

}  // namespace
}  // namespace hf::server::testing
