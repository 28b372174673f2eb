"""Step 2a, framing terms: the lexicon's YAML schema and checks (lexicon), leftmost-longest matching in either script
and keywords in context (match)."""
