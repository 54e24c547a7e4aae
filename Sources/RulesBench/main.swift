// The rules engine benchmark (scripts/bench-rules); being written.
print("RulesBench")
