"""What a scenario can name (instruments, output variables, event kinds, parameters) and
how scenario files are composed, checked and loaded."""
