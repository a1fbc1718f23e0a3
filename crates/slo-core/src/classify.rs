//! What counts as a server failure ([events](crate::semantics#events)),
//! shared by replay and the
//! middleware.

/// Whether an HTTP status means the server failed: any 5xx.
pub fn http_status_is_failure(status: u16) -> bool {
    (500..600).contains(&status)
}

/// Whether a gRPC status code means the server failed: `UNKNOWN` (2),
/// `DEADLINE_EXCEEDED` (4), `INTERNAL` (13), `UNAVAILABLE` (14) and
/// `DATA_LOSS` (15). Other codes are the caller's doing or success.
pub fn grpc_code_is_failure(code: i32) -> bool {
    matches!(code, 2 | 4 | 13 | 14 | 15)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_5xx_fail() {
        assert!(!http_status_is_failure(200));
        assert!(!http_status_is_failure(404));
        assert!(!http_status_is_failure(499));
        assert!(http_status_is_failure(500));
        assert!(http_status_is_failure(503));
        assert!(http_status_is_failure(599));
    }

    #[test]
    fn server_fault_grpc_codes() {
        let failing: Vec<i32> = (0..=16).filter(|c| grpc_code_is_failure(*c)).collect();
        assert_eq!(failing, [2, 4, 13, 14, 15]);
    }
}
