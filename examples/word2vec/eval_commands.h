#pragma once
// neighbors, analogy and eval: the subcommands that read a .vec file.
#include <CLI/CLI.hpp>

void add_eval_commands(CLI::App& app);
