//! CPU executor (being written).
