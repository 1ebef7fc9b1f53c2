"""BI tools over the marts: the semantic layer (MetricFlow) and Apache Superset."""
