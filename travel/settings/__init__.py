"""Settings package: `base` serves development, tests and the embedded default;
`production` adds the checks that refuse a half-configured deployment."""
