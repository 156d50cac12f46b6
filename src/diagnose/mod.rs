//! Placeholder until the diagnosis engine lands (issue 3).
