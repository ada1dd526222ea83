//! Deterministic text: hashing, a small PRNG, the token model and plausible prose.
//!
//! Everything here is a pure function of its input, so the same request always gets the same
//! answer. A *token* is a run of letters/digits or a single other character, with the
//! whitespace before it attached; concatenating the tokens of a text gives the text back.

/// FNV-1a over `bytes`, then a splitmix64 finaliser (good avalanche for bucket hashing).
pub(crate) fn hash64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    mix(h)
}

/// The splitmix64 finaliser.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A splitmix64 generator: small, fast and reproducible.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next_u64() % n as u64) as usize
    }

    /// One element of `items` (`fallback` when empty).
    pub(crate) fn pick<'a>(&mut self, items: &[&'a str], fallback: &'a str) -> &'a str {
        items.get(self.below(items.len())).copied().unwrap_or(fallback)
    }
}

/// Splits `text` into tokens (see the module docs). Trailing whitespace is a token of its own.
pub(crate) fn tokenize(text: &str) -> Vec<&str> {
    let mut tokens = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        // `i` is the first non-space char of the token; `start` includes the spaces before it.
        chars.next();
        let mut end = i + c.len_utf8();
        if c.is_alphanumeric() {
            while let Some(&(j, d)) = chars.peek() {
                if d.is_alphanumeric() || d == '_' {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
        }
        tokens.push(&text[start..end]);
        start = end;
    }
    if start < text.len() {
        tokens.push(&text[start..]);
    }
    tokens
}

/// How many tokens `text` has.
pub(crate) fn count_tokens(text: &str) -> u64 {
    tokenize(text).len() as u64
}

/// The first `max` tokens of `text`, and whether it was cut.
pub(crate) fn truncate_tokens(text: &str, max: Option<u64>) -> (String, bool) {
    let tokens = tokenize(text);
    match max {
        Some(max) if (tokens.len() as u64) > max => {
            let keep = usize::try_from(max).unwrap_or(usize::MAX);
            (tokens[..keep].concat(), true)
        }
        _ => (text.to_string(), false),
    }
}

const STOPWORDS: &[&str] = &[
    "a", "about", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by", "can",
    "could", "did", "do", "does", "for", "from", "give", "had", "has", "have", "he", "her", "here", "him", "his",
    "how", "i", "if", "in", "into", "is", "it", "its", "just", "like", "me", "more", "most", "my", "name", "no", "not",
    "now", "of", "on", "one", "or", "our", "please", "say", "she", "should", "so", "some", "tell", "than", "that",
    "the", "their", "them", "then", "there", "these", "they", "this", "to", "us", "was", "we", "were", "what", "when",
    "where", "which", "who", "why", "will", "with", "would", "you", "your", "json", "best", "answer", "question",
    "explain", "write", "describe", "short", "today", "current", "right", "get", "know", "keep", "make", "use",
    "using", "need", "want", "take", "find", "work", "see", "look", "let", "put", "set", "try", "show", "while",
    "really", "very", "much", "many", "well", "good", "way", "ways", "thing", "things", "after", "before", "without",
    "during", "doing", "done", "going", "being", "other", "only", "each",
];

/// Whether `word` carries no topic (articles, pronouns, question words...).
pub(crate) fn is_stopword(word: &str) -> bool {
    STOPWORDS.contains(&word.to_lowercase().as_str())
}

/// The words of `text` that carry its topic, in order, without repeats.
pub(crate) fn keywords(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for token in tokenize(text) {
        let word = token.trim();
        let letters = word.chars().filter(|c| c.is_alphabetic()).count();
        if letters >= 3 && !is_stopword(word) && !out.iter().any(|w| w.eq_ignore_ascii_case(word)) {
            out.push(word.to_string());
        }
    }
    out
}

/// Capitalised words of `text` that do not start a sentence: likely names (`Paris`, `Jura`).
pub(crate) fn proper_nouns(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut sentence_start = true;
    for token in tokenize(text) {
        let word = token.trim();
        let first = word.chars().next();
        if first.is_some_and(char::is_uppercase)
            && word.chars().count() >= 2
            && word.chars().all(char::is_alphabetic)
            && !sentence_start
            && !is_stopword(word)
            && !out.iter().any(|w| w == word)
        {
            out.push(word.to_string());
        }
        if !word.is_empty() {
            sentence_start = matches!(word, "." | "!" | "?" | ":" | "\"" | "'");
        }
    }
    out
}

/// The integers written in `text`, in order.
pub(crate) fn numbers(text: &str) -> Vec<i64> {
    tokenize(text).into_iter().filter_map(|t| t.trim().parse::<i64>().ok()).collect()
}

const NOUNS: &[&str] = &[
    "context",
    "history",
    "quality",
    "balance",
    "detail",
    "practice",
    "structure",
    "tradition",
    "timing",
    "evidence",
    "design",
    "texture",
    "method",
    "trade-offs",
    "character",
    "origin",
];
const ADJECTIVES: &[&str] =
    &["careful", "practical", "simple", "classic", "thoughtful", "balanced", "clear", "patient", "steady", "precise"];

/// Upper-cases the first letter.
pub(crate) fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A plausible answer to `question`, seeded by `seed`. `terse` keeps it to two sentences.
pub(crate) fn prose(question: &str, seed: u64, terse: bool) -> String {
    let mut rng = Rng::new(seed);
    let lower = question.to_lowercase();
    let words: Vec<&str> = tokenize(&lower).into_iter().map(str::trim).collect();
    let greeting = words.iter().any(|w| matches!(*w, "hello" | "hi" | "hey" | "bonjour"));
    if greeting && words.len() <= 6 {
        return rng
            .pick(&["Hello! How can I help you today?", "Hello there! What can I do for you?"], "Hello!")
            .to_string();
    }
    let keys = keywords(question);
    let names = proper_nouns(question);
    let topic = match keys.len() {
        0 => "your question".to_string(),
        1 => keys[0].clone(),
        _ => format!("{} and {}", keys[0], keys[1]),
    };
    let key = |rng: &mut Rng| -> String {
        if keys.is_empty() { "it".to_string() } else { keys[rng.below(keys.len())].clone() }
    };
    let mut sentences = Vec::new();
    let opening = match rng.below(4) {
        0 => format!("Here is a short answer about {topic}."),
        1 => format!("Good question about {topic}."),
        2 => format!("Let's look at {topic}."),
        _ => format!("When it comes to {topic}, a few points stand out."),
    };
    sentences.push(opening);
    let body = if terse { 1 } else { 2 + rng.below(3) };
    for _ in 0..body {
        let k = key(&mut rng);
        let n1 = rng.pick(NOUNS, "context");
        let n2 = rng.pick(NOUNS, "detail");
        let adj = rng.pick(ADJECTIVES, "careful");
        let sentence = match rng.below(6) {
            0 => format!("{} is often discussed in terms of {n1} and {n2}.", capitalize(&k)),
            1 => format!("A {adj} approach to {k} starts with {n1}."),
            2 => format!("Most people who ask about {k} care about {n1} first."),
            3 => format!("In practice, {k} depends on {n1}, {n2} and a {adj} eye for detail."),
            4 => match names.get(rng.below(names.len().max(1))) {
                Some(name) => format!("{name} is well known for its {adj} {n1}."),
                None => format!("The {n1} of {k} matters more than its {n2}."),
            },
            _ => format!("The {n1} of {k} matters more than its {n2}."),
        };
        sentences.push(sentence);
    }
    if !terse {
        let k = key(&mut rng);
        let closing = match rng.below(3) {
            0 => "I hope this helps.".to_string(),
            1 => format!("Let me know if you want more detail on {k}."),
            _ => format!("In short: {k} rewards a {} approach.", rng.pick(ADJECTIVES, "careful")),
        };
        sentences.push(closing);
    }
    sentences.join(" ")
}

/// `n` plausible declarative sentences about `topic`, seeded by `seed`: the text of a document
/// or a recording the mock cannot read.
pub(crate) fn statements(topic: &str, seed: u64, n: usize) -> Vec<String> {
    let mut rng = Rng::new(mix(seed ^ 0x646f_6375_6d65_6e74));
    (0..n)
        .map(|_| {
            let n1 = rng.pick(NOUNS, "context");
            let n2 = rng.pick(NOUNS, "detail");
            let adj = rng.pick(ADJECTIVES, "careful");
            match rng.below(6) {
                0 => format!("This section covers the {n1} of {topic}."),
                1 => format!("{} depends on {n1} and {n2}.", capitalize(topic)),
                2 => format!("A {adj} review of {topic} starts with its {n1}."),
                3 => format!("The {n2} of {topic} is summarised below."),
                4 => format!("Each part of {topic} is checked for {n1}."),
                _ => format!("We describe the {adj} {n1} behind {topic}."),
            }
        })
        .collect()
}

/// What a reasoning model thinks before answering `question`: `sentences` sentences (at least
/// one), seeded by `seed`, opening with the topic and ending by turning to the answer.
pub(crate) fn thinking(question: &str, seed: u64, sentences: usize) -> String {
    // Another stream than the answer's, so the thought does not echo the answer.
    let mut rng = Rng::new(mix(seed ^ 0x7468_696e_6b69_6e67));
    let keys = keywords(question);
    let topic = match keys.len() {
        0 => "their question".to_string(),
        1 => keys[0].clone(),
        _ => format!("{} and {}", keys[0], keys[1]),
    };
    let mut out = vec![format!("The user asks about {topic}.")];
    for _ in 1..sentences.saturating_sub(1) {
        let k = if keys.is_empty() { "it".to_string() } else { keys[rng.below(keys.len())].clone() };
        let n1 = rng.pick(NOUNS, "context");
        let n2 = rng.pick(NOUNS, "detail");
        out.push(match rng.below(4) {
            0 => format!("First, consider the {n1} of {k}."),
            1 => format!("The {n2} matters here, so I should mention it."),
            2 => format!("Is {k} mostly about {n1}, or about {n2}? Both, probably."),
            _ => format!("I should keep the answer {} and mention {k}.", rng.pick(ADJECTIVES, "clear")),
        });
    }
    if sentences > 1 {
        out.push("Now I can write the answer.".to_string());
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinking_is_deterministic_and_as_long_as_asked() {
        let t = thinking("Why is the sky blue?", 3, 4);
        assert_eq!(t, thinking("Why is the sky blue?", 3, 4));
        assert!(
            t.starts_with("The user asks about sky and blue.") && t.ends_with("Now I can write the answer."),
            "{t}"
        );
        assert_eq!(t.matches(['.', '?']).count(), 4 + t.matches('?').count());
        assert_eq!(thinking("hi", 1, 1), "The user asks about their question.");
    }

    #[test]
    fn tokens_round_trip_and_count_words_and_punctuation() {
        let text = "Hello, world! How are you?\n";
        let tokens = tokenize(text);
        assert_eq!(tokens.concat(), text);
        assert_eq!(tokens, vec!["Hello", ",", " world", "!", " How", " are", " you", "?", "\n"]);
        assert_eq!(count_tokens(""), 0);
        assert_eq!(count_tokens("   "), 1);
        assert_eq!(tokenize("  x").concat(), "  x");
    }

    #[test]
    fn truncation_keeps_a_prefix() {
        let (cut, was_cut) = truncate_tokens("one two three", Some(2));
        assert_eq!((cut.as_str(), was_cut), ("one two", true));
        assert_eq!(truncate_tokens("one", Some(5)), ("one".to_string(), false));
        assert_eq!(truncate_tokens("one", Some(0)), (String::new(), true));
    }

    #[test]
    fn prose_is_deterministic_and_on_topic() {
        let a = prose("What is the best French cheese?", 7, false);
        assert_eq!(a, prose("What is the best French cheese?", 7, false));
        assert!(a.contains("French") || a.contains("cheese"), "{a}");
        assert!(prose("Say hello.", 1, false).starts_with("Hello"));
    }

    #[test]
    fn finds_names_and_numbers() {
        assert_eq!(proper_nouns("What is the weather in Paris today?"), vec!["Paris"]);
        assert_eq!(numbers("top 3 of 10"), vec![3, 10]);
        assert_eq!(keywords("What is the weather in Paris?"), vec!["weather", "Paris"]);
    }
}
