//! A token-bucket rate limit per route: what it allows, and how long a refused client must
//! wait, in exact integer time so that tests on the fake's manual clock are exact.
//!
//! The bucket is kept as its "theoretical arrival time" (the GCRA form of a token bucket):
//! one instant instead of a fractional token count, so that "20 a second" refills a token
//! after exactly 50 ms and never after 49.999… ms of floating-point drift.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// How `TokenBucket::from_str` (the binary's `--rate-limit ROUTE=…`) writes a limit, for help
/// and error texts.
pub const RATE_LIMIT_SYNTAX: &str = "REQUESTS/UNIT[:burst=N], UNIT one of s, min, h \
(20/s, 100/min, 20/s:burst=5); the burst (tokens the bucket holds) defaults to REQUESTS";

/// A rate limit for one route ([`FakeServerBuilder::rate_limit`]), as a token bucket: it
/// holds up to `burst` tokens and starts full; it gains one token every
/// `per / requests`; each request takes one. A request that finds it empty is answered
/// `429` with OpenRouter's error envelope and `Retry-After: S`, where `S` is the time until
/// the bucket next holds a token, in whole seconds rounded up (at least 1); a refused request
/// has no effect and takes no token.
///
/// [`FakeServerBuilder::rate_limit`]: crate::FakeServerBuilder::rate_limit
///
/// ```
/// use openrouter_keys_testkit::TokenBucket;
/// use std::time::Duration;
///
/// let limit = TokenBucket::per_second(20).burst(5);
/// assert_eq!(limit.token_interval(), Duration::from_millis(50));
/// assert_eq!("20/s:burst=5".parse::<TokenBucket>(), Ok(limit));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenBucket {
    requests: u32,
    per: Duration,
    burst: u32,
}

impl TokenBucket {
    /// `requests` every `per`, with a burst of `requests`. A count of 0 is taken as 1.
    pub fn new(requests: u32, per: Duration) -> TokenBucket {
        let requests = requests.max(1);
        TokenBucket {
            requests,
            per,
            burst: requests,
        }
    }

    /// `requests` a second, with a burst of `requests`.
    pub fn per_second(requests: u32) -> TokenBucket {
        TokenBucket::new(requests, Duration::from_secs(1))
    }

    /// `requests` a minute, with a burst of `requests`.
    pub fn per_minute(requests: u32) -> TokenBucket {
        TokenBucket::new(requests, Duration::from_secs(60))
    }

    /// The most tokens the bucket holds: requests allowed at once after a quiet spell. A
    /// burst of 0 is taken as 1.
    pub fn burst(mut self, burst: u32) -> TokenBucket {
        self.burst = burst.max(1);
        self
    }

    /// The time the bucket takes to gain one token: `per / requests`.
    pub fn token_interval(&self) -> Duration {
        self.per / self.requests
    }

    /// The bucket's size.
    pub fn burst_size(&self) -> u32 {
        self.burst
    }
}

impl fmt::Display for TokenBucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let per = match self.per.as_secs() {
            1 => "s".to_string(),
            60 => "min".to_string(),
            3600 => "h".to_string(),
            _ => format!("{:?}", self.per),
        };
        write!(f, "{}/{per}:burst={}", self.requests, self.burst)
    }
}

impl FromStr for TokenBucket {
    type Err = String;

    /// Parses [`RATE_LIMIT_SYNTAX`]: `20/s`, `100/min`, `1/h`, `20/s:burst=5`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |what: &str| format!("`{s}`: {what}; write {RATE_LIMIT_SYNTAX}");
        let (rate, burst) = match s.split_once(':') {
            Some((rate, option)) => {
                let burst = option
                    .strip_prefix("burst=")
                    .ok_or_else(|| bad(&format!("unknown option `{option}`")))?;
                let burst = burst
                    .parse::<u32>()
                    .ok()
                    .filter(|b| *b > 0)
                    .ok_or_else(|| bad(&format!("the burst `{burst}` is not a positive count")))?;
                (rate, Some(burst))
            }
            None => (s, None),
        };
        let (requests, unit) = rate
            .split_once('/')
            .ok_or_else(|| bad("expected REQUESTS/UNIT"))?;
        let requests = requests
            .parse::<u32>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| bad(&format!("`{requests}` is not a positive count of requests")))?;
        let per = match unit {
            "s" => Duration::from_secs(1),
            "min" => Duration::from_secs(60),
            "h" => Duration::from_secs(3600),
            _ => return Err(bad(&format!("unknown unit `{unit}`"))),
        };
        let limit = TokenBucket::new(requests, per);
        Ok(match burst {
            Some(burst) => limit.burst(burst),
            None => limit,
        })
    }
}

/// The state of one route's bucket, on the fake's clock.
#[derive(Debug, Clone)]
pub(crate) struct Bucket {
    limit: TokenBucket,
    /// When the bucket would be empty again if it had been full: a request at `now` is
    /// allowed while `full_at - now` is at most `(burst - 1)` token intervals.
    full_at: Duration,
}

impl Bucket {
    /// A full bucket at `now`.
    pub fn new(limit: TokenBucket, now: Duration) -> Bucket {
        Bucket {
            limit,
            full_at: now,
        }
    }

    pub fn limit(&self) -> TokenBucket {
        self.limit
    }

    /// Takes a token at `now`, or says how long until one is available.
    pub fn take(&mut self, now: Duration) -> Result<(), Duration> {
        let interval = self.limit.token_interval();
        let slack = interval
            .checked_mul(self.limit.burst - 1)
            .unwrap_or(Duration::MAX);
        let earliest = self.full_at.saturating_sub(slack);
        if earliest > now {
            return Err(earliest - now);
        }
        self.full_at = self.full_at.max(now).saturating_add(interval);
        Ok(())
    }
}

/// The `Retry-After` seconds for a wait: rounded up, at least 1.
pub(crate) fn retry_after_seconds(wait: Duration) -> u64 {
    let whole = wait.as_secs();
    let rounded = if wait.subsec_nanos() > 0 {
        whole + 1
    } else {
        whole
    };
    rounded.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn a_full_bucket_allows_the_burst_then_one_request_per_interval() {
        let mut bucket = Bucket::new(TokenBucket::per_second(20).burst(3), Duration::ZERO);
        for _ in 0..3 {
            assert_eq!(bucket.take(Duration::ZERO), Ok(()));
        }
        assert_eq!(bucket.take(Duration::ZERO), Err(50 * MS));
        assert_eq!(
            bucket.take(49 * MS),
            Err(MS),
            "a refused request takes nothing"
        );
        assert_eq!(bucket.take(50 * MS), Ok(()));
        assert_eq!(bucket.take(50 * MS), Err(50 * MS));
        // After a quiet spell the bucket is full again, and no fuller.
        let later = Duration::from_secs(10);
        for _ in 0..3 {
            assert_eq!(bucket.take(later), Ok(()));
        }
        assert!(bucket.take(later).is_err());
    }

    #[test]
    fn the_default_burst_is_one_period_of_requests() {
        let mut bucket = Bucket::new(TokenBucket::per_minute(2), Duration::ZERO);
        assert_eq!(bucket.take(Duration::ZERO), Ok(()));
        assert_eq!(bucket.take(Duration::ZERO), Ok(()));
        assert_eq!(bucket.take(Duration::ZERO), Err(Duration::from_secs(30)));
        assert_eq!(
            TokenBucket::new(0, Duration::from_secs(1))
                .burst(0)
                .burst_size(),
            1
        );
    }

    #[test]
    fn retry_after_is_the_wait_in_seconds_rounded_up() {
        assert_eq!(retry_after_seconds(50 * MS), 1);
        assert_eq!(retry_after_seconds(Duration::ZERO), 1);
        assert_eq!(retry_after_seconds(Duration::from_secs(2)), 2);
        assert_eq!(retry_after_seconds(Duration::from_millis(2001)), 3);
    }

    #[test]
    fn parses_the_binary_syntax_and_says_what_to_write() {
        assert_eq!("20/s".parse(), Ok(TokenBucket::per_second(20)));
        assert_eq!("100/min".parse(), Ok(TokenBucket::per_minute(100)));
        assert_eq!(
            "1/h:burst=2".parse(),
            Ok(TokenBucket::new(1, Duration::from_secs(3600)).burst(2))
        );
        for bad in [
            "",
            "20",
            "20/",
            "20/day",
            "0/s",
            "-1/s",
            "x/s",
            "20/s:burst=0",
            "20/s:b=1",
        ] {
            let error = bad.parse::<TokenBucket>().unwrap_err();
            assert!(error.contains("REQUESTS/UNIT"), "{bad}: {error}");
        }
        assert_eq!(TokenBucket::per_second(20).to_string(), "20/s:burst=20");
        let odd = TokenBucket::new(3, Duration::from_secs(2));
        assert_eq!(odd.to_string(), "3/2s:burst=3");
    }
}
