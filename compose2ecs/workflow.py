"""The pipeline on one screen: load -> translate -> plan -> apply. Wiring only, no rules."""
