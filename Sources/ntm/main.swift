// The `ntm` command-line tool: train, eval, show (see docs/CLI.md).
import Foundation

exit(NTMCLI.execute(Array(CommandLine.arguments.dropFirst())))
