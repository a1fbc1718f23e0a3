//! Escaping for the `/slo` page: every name from a spec goes through it.

/// Escapes text for HTML element content and quoted attribute values.
pub(crate) use slo_core::escape_html as escape;

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_everything_markup_could_hide_in() {
        assert_eq!(
            escape(r#"<script>alert("x&y's")</script>"#),
            "&lt;script&gt;alert(&quot;x&amp;y&#39;s&quot;)&lt;/script&gt;"
        );
    }
}
