"""The public archive (公開アーカイブ) of decided requests: publication by 情報公開 staff, the public
pages at /disclosure/archive/, their search and feed. The requester's identity is never published."""
