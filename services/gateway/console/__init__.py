"""The developer console (开发者控制台): GraphiQL served from the platform, no public CDN."""
