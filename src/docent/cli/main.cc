// docent's entry point: dispatches to the subcommands in cli/.
#include <cstdio>

int main() {
  std::puts("docent");
  return 0;
}
