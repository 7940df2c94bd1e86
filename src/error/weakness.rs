//! Why a new password is refused: the policy's verdict, and the details of 422 `weak_password`.

use serde_json::{json, Value};

/// Why a new password is refused; rendered as 422 `weak_password` with these details.
#[derive(Debug, Clone, PartialEq)]
pub enum Weakness {
    /// Fewer code points than `password.min_length`.
    TooShort {
        /// The minimum.
        min_length: usize,
    },
    /// More code points than `password.max_length`.
    TooLong {
        /// The maximum.
        max_length: usize,
    },
    /// zxcvbn scores it below `password.min_score`, e.g. because it is common or built from
    /// the user's own email or name.
    TooGuessable {
        /// zxcvbn's score (0 to 4).
        score: u8,
        /// The minimum.
        min_score: u8,
        /// zxcvbn's warning, if any.
        warning: Option<String>,
        /// zxcvbn's suggestions.
        suggestions: Vec<String>,
    },
}

impl Weakness {
    /// A sentence for the error message.
    #[must_use]
    pub fn message(&self) -> String {
        match self {
            Weakness::TooShort { min_length } => {
                format!("The new password must be at least {min_length} characters long.")
            }
            Weakness::TooLong { max_length } => {
                format!("The new password must be at most {max_length} characters long.")
            }
            Weakness::TooGuessable { .. } => {
                "The new password is too easy to guess; a few unrelated words make a strong one.".into()
            }
        }
    }

    /// Machine-readable details (never the password).
    #[must_use]
    pub fn details(&self) -> Value {
        match self {
            Weakness::TooShort { min_length } => json!({"reason": "too_short", "min_length": min_length}),
            Weakness::TooLong { max_length } => json!({"reason": "too_long", "max_length": max_length}),
            Weakness::TooGuessable { score, min_score, warning, suggestions } => json!({
                "reason": "too_guessable",
                "score": score,
                "min_score": min_score,
                "warning": warning,
                "suggestions": suggestions,
            }),
        }
    }
}
