#pragma once
// Runs a program on a pseudo-terminal, as a user at a terminal would: each input line is typed
// only once the program shows its prompt again, and everything it prints (stdout and stderr,
// with the terminal's echo) is returned as one transcript.
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

struct PtyResult {
  int status = -1;
  std::string transcript;
};

// argv[0] is the program path. `prompts` mark where the program waits for a line (the chat's
// "> ", and "... " inside a multi-line message); `lines` are typed one per prompt. `deadline_s` bounds the session:
// a program that hangs is killed and the test fails on its output, never waits forever.
inline PtyResult run_on_pty(const std::vector<std::string>& argv, const std::vector<std::string>& lines,
                            const std::vector<std::string>& prompts = {"> ", "... "}, int deadline_s = 120) {
  PtyResult r;
  int master = -1;
  const pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  if (pid < 0) return r;
  if (pid == 0) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    setenv("TERM", "xterm", 1);  // libedit edits lines and binds the arrow keys
    execv(args[0], args.data());
    _exit(127);
  }
  const auto start = std::chrono::steady_clock::now();
  size_t typed = 0, prompts_seen = 0, scan_from = 0;
  for (;;) {
    // A prompt appeared since the last one: type the next line.
    for (;;) {
      size_t at = std::string::npos, len = 0;
      for (const auto& p : prompts)
        if (size_t i = r.transcript.find(p, scan_from); i < at) at = i, len = p.size();
      if (at == std::string::npos) break;
      scan_from = at + len;
      ++prompts_seen;
    }
    if (typed < lines.size() && prompts_seen > typed) {
      const std::string text = lines[typed++] + "\n";
      if (write(master, text.data(), text.size()) < 0) break;
    }
    if (std::chrono::steady_clock::now() - start > std::chrono::seconds(deadline_s)) {
      kill(pid, SIGKILL);
      ADD_FAILURE() << "the session did not end within " << deadline_s << " s";
      break;
    }
    pollfd p{master, POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    char buf[4096];
    const ssize_t n = read(master, buf, sizeof buf);
    if (n <= 0) break;  // EIO once the program has exited and closed the terminal
    r.transcript.append(buf, static_cast<size_t>(n));
  }
  close(master);
  int st = 0;
  waitpid(pid, &st, 0);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}
