//! HTML mode (native only): the detection rules over a parsed HTML document.
