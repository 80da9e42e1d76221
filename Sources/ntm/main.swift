// Placeholder until the command-line tool lands (issue 5).
print("ntm: not built yet")
