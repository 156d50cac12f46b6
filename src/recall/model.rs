//! Placeholder until the model lands (issue 3).
