"""Testing helpers for users who property-test their own scenarios and extensions."""
