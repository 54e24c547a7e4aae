// The rule language.
