//! When and how long to wait before trying a request again.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};

/// Statuses worth another attempt.
pub const RETRY_STATUSES: &[u16] = &[408, 409, 429, 500, 502, 503, 504];

/// How failed requests are retried: exponential backoff with full jitter, honouring
/// `Retry-After` up to [`RetryPolicy::max_delay`].
///
/// ```
/// use std::time::Duration;
/// use mistral_sdk::RetryPolicy;
///
/// let policy = RetryPolicy::default().max_retries(5).initial_delay(Duration::from_millis(200));
/// assert_eq!(policy.get_max_retries(), 5);
/// assert_eq!(RetryPolicy::none().get_max_retries(), 0);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_delay: Duration,
    max_delay: Duration,
}

impl Default for RetryPolicy {
    /// 2 retries, first delay up to 500 ms, no delay over 60 s.
    fn default() -> Self {
        RetryPolicy { max_retries: 2, initial_delay: Duration::from_millis(500), max_delay: Duration::from_secs(60) }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy::default().max_retries(0)
    }

    /// Retries after the first attempt (default 2).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// The ceiling of the first backoff (default 500 ms); it doubles each retry.
    pub fn initial_delay(mut self, d: Duration) -> Self {
        self.initial_delay = d;
        self
    }

    /// No wait is longer than this, `Retry-After` included (default 60 s).
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }

    /// The configured number of retries.
    pub fn get_max_retries(&self) -> u32 {
        self.max_retries
    }

    /// The wait before retry number `retry` (0 for the first), given the server's
    /// `Retry-After` if any: that value when given (capped), else a random duration in
    /// `[0, min(max_delay, initial_delay * 2^retry)]` (full jitter).
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(after) = retry_after {
            return after.min(self.max_delay);
        }
        let ceiling = self.initial_delay.saturating_mul(2u32.saturating_pow(retry.min(16))).min(self.max_delay);
        ceiling.mul_f64(fastrand::f64())
    }
}

/// `Retry-After` (RFC 9110 10.2.3): delay-seconds or an HTTP-date; also the `retry-after-ms`
/// extension some gateways send.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    if let Some(ms) = headers
        .get("retry-after-ms")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|ms| ms.is_finite() && *ms >= 0.0)
    {
        return Some(Duration::from_secs_f64(ms.min(1e9) / 1000.0));
    }
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(name: &'static str, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, value.parse().unwrap());
        h
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(retry_after(&headers("retry-after", "3")), Some(Duration::from_secs(3)));
        assert_eq!(retry_after(&headers("retry-after-ms", "250")), Some(Duration::from_millis(250)));
        let future = SystemTime::now() + Duration::from_secs(120);
        let d = retry_after(&headers("retry-after", &httpdate::fmt_http_date(future))).unwrap();
        assert!(d > Duration::from_secs(115) && d <= Duration::from_secs(120), "{d:?}");
        assert_eq!(retry_after(&headers("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")), Some(Duration::ZERO));
        assert_eq!(retry_after(&headers("retry-after", "soon")), None);
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }

    #[test]
    fn delays_are_jittered_and_capped() {
        let p = RetryPolicy::default().initial_delay(Duration::from_millis(100)).max_delay(Duration::from_millis(300));
        for retry in 0..20 {
            let d = p.delay(retry, None);
            let ceiling = Duration::from_millis((100u64 << retry.min(16)).min(300));
            assert!(d <= ceiling, "{retry}: {d:?}");
        }
        assert_eq!(p.delay(0, Some(Duration::from_secs(10))), Duration::from_millis(300));
        assert_eq!(p.delay(0, Some(Duration::from_millis(5))), Duration::from_millis(5));
    }
}
