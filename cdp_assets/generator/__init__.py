"""A realistic landing zone of leads from the 12 sources, with the truth of who is who."""

from cdp_assets.generator.landing_zone import GenerationSummary, generate, people_for_records

__all__ = ["GenerationSummary", "generate", "people_for_records"]
