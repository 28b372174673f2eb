"""Step 2b, sentence sentiment: the scorer registry (scorers), SnowNLP compiled (snowfast/), the HowNet word-list
scorer (hownet), and measurements of the method on an article (method_checks)."""
