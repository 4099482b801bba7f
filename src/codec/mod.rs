//! Image codecs. For now: `probe`, which reads an upload's header (format, size, pixel limit)
//! before anything is stored and then verifies the whole file decodes.

pub mod probe;
