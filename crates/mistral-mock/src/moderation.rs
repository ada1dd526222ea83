//! Moderation scores: deterministic, plausible, and higher where a text says what a category
//! is about.
//!
//! Each category has a list of keywords (word stems, or phrases); a text's score in a category
//! starts from a small value derived from a hash of the text and the category (0.0005 to 0.02)
//! and rises with each distinct keyword found: `1 - (1 - base) * 0.3^hits`, so one hit gives
//! about 0.7 and two about 0.91. A category is flagged from [`THRESHOLD`].

use crate::text::hash64;

/// The categories, in the order the API lists them.
pub(crate) const CATEGORIES: &[&str] = &[
    "sexual",
    "hate_and_discrimination",
    "violence_and_threats",
    "dangerous_and_criminal_content",
    "selfharm",
    "health",
    "financial",
    "law",
    "pii",
];

/// A category is flagged from this score.
pub(crate) const THRESHOLD: f64 = 0.5;

/// Keywords per category: a word starting with a stem counts, a phrase (with a space) counts
/// when the text contains it.
fn keywords(category: &str) -> &'static [&'static str] {
    match category {
        "sexual" => &["sex", "nude", "naked", "porn", "erotic", "nsfw", "explicit"],
        "hate_and_discrimination" => {
            &["hate", "racis", "bigot", "slur", "inferior", "discriminat", "xenophob", "nazi", "supremac"]
        }
        "violence_and_threats" => &[
            "kill", "murder", "attack", "hurt", "shoot", "stab", "threat", "bomb", "weapon", "violen", "punch",
            "beat you", "destroy",
        ],
        "dangerous_and_criminal_content" => &[
            "steal",
            "drug",
            "hack",
            "explosive",
            "launder",
            "fraud",
            "smuggl",
            "counterfeit",
            "poison",
            "illegal",
            "crime",
            "criminal",
            "weapon",
        ],
        "selfharm" => {
            &["suicid", "self-harm", "selfharm", "kill myself", "hurt myself", "cut myself", "end my life", "overdos"]
        }
        "health" => &[
            "diagnos",
            "symptom",
            "medic",
            "disease",
            "doctor",
            "treatment",
            "prescription",
            "cancer",
            "illness",
            "pain",
            "fever",
        ],
        "financial" => &[
            "invest",
            "stock",
            "loan",
            "mortgage",
            "tax",
            "crypto",
            "bitcoin",
            "trading",
            "portfolio",
            "retirement",
            "bank",
            "debt",
        ],
        "law" => &["lawyer", "legal", "lawsuit", "court", "sue", "contract", "attorney", "law", "judge", "custody"],
        "pii" => &["passport", "social security", "credit card", "home address", "date of birth", "ssn"],
        _ => &[],
    }
}

/// How many of `category`'s keywords `text` has (each counted once); for `pii`, e-mail
/// addresses and long numbers too.
fn hits(category: &str, text: &str) -> u32 {
    let lower = text.to_lowercase();
    let words: Vec<&str> =
        lower.split(|c: char| !(c.is_alphanumeric() || c == '-')).filter(|w| !w.is_empty()).collect();
    let mut n = keywords(category)
        .iter()
        .filter(|k| if k.contains(' ') { lower.contains(*k) } else { words.iter().any(|w| w.starts_with(*k)) })
        .count() as u32;
    if category == "pii" {
        let email =
            lower.split_whitespace().any(|w| w.contains('@') && w.rsplit('@').next().is_some_and(|d| d.contains('.')));
        let digits = lower
            .split(|c: char| !(c.is_ascii_digit() || matches!(c, ' ' | '-' | '+')))
            .any(|run| run.chars().filter(char::is_ascii_digit).count() >= 9);
        n += u32::from(email) + u32::from(digits);
    }
    n
}

/// The score of `text` (with `context` counting half) in `category`, from 0 to 1.
pub(crate) fn score(category: &str, text: &str, context: &str) -> f64 {
    let noise = hash64(format!("{category}\u{0}{text}").as_bytes()) % 1000;
    let base = 0.0005 + noise as f64 * 0.0000195;
    let weight = f64::from(hits(category, text)) + 0.5 * f64::from(hits(category, context));
    let score = 1.0 - (1.0 - base) * 0.3f64.powf(weight);
    (score * 1e6).round() / 1e6
}

/// Every category's score, in [`CATEGORIES`] order.
pub(crate) fn scores(text: &str, context: &str) -> Vec<(&'static str, f64)> {
    CATEGORIES.iter().map(|c| (*c, score(c, text, context))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_raise_their_category() {
        let violent = score("violence_and_threats", "I will kill you and destroy your house", "");
        let calm = score("violence_and_threats", "I will bake you a cake", "");
        assert!(violent > 0.9 && calm < 0.03, "{violent} {calm}");
        assert!(score("pii", "mail me at jo@example.com", "") > THRESHOLD);
        assert!(score("pii", "call +33 6 12 34 56 78", "") > THRESHOLD);
        assert!(score("selfharm", "I want to end my life", "") > THRESHOLD);
        assert!(score("health", "", "what are the symptoms of flu") > score("health", "", ""));
        assert_eq!(score("law", "x", ""), score("law", "x", ""));
    }
}
