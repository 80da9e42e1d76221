print("ntm-bench: placeholder until the benchmark lands")
