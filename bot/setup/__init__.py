"""`lapor-bot setup`: connect a new bot to its staff group, step by step, safe to re-run."""
