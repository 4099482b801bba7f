//! Errors of the Image Serving command language: every problem found while parsing a modifier
//! (`parse`) or planning it (`plan`) is collected, so a caller sees all of them at once.

use std::fmt;

/// One problem: the command it concerns (canonical spelling, e.g. `bgColor`) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorEntry {
    pub command: String,
    pub message: String,
}

/// Every problem found in one modifier; `Display` joins them with "; ".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModifierError {
    pub entries: Vec<ErrorEntry>,
}

impl ModifierError {
    /// An error with a single entry.
    pub fn new(command: impl Into<String>, message: impl Into<String>) -> Self {
        let mut e = ModifierError::default();
        e.push(command, message);
        e
    }

    pub fn push(&mut self, command: impl Into<String>, message: impl Into<String>) {
        self.entries.push(ErrorEntry {
            command: command.into(),
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `Ok(value)` when no problem was recorded, else `Err(self)`.
    pub fn into_result<T>(self, value: T) -> Result<T, ModifierError> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl fmt::Display for ErrorEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.command, self.message)
    }
}

impl fmt::Display for ModifierError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.entries.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ModifierError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_joins_entries() {
        let mut e = ModifierError::new("wid", "'0' is not a valid width (integer 1 or more)");
        e.push("rotate", "'NaN' is not a number");
        assert_eq!(
            e.to_string(),
            "wid: '0' is not a valid width (integer 1 or more); rotate: 'NaN' is not a number"
        );
        assert!(ModifierError::default().into_result(1).is_ok());
        assert!(e.into_result(1).is_err());
    }
}
