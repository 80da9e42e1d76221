// ntm-bench: the measurements behind docs/PERFORMANCE.md (see BenchCommand).
BenchCommand.main()
