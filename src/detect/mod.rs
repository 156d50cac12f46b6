//! Placeholder until the scanner lands (issue 4).
