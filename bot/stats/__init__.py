"""Figures for staff: counting, the chart, the same figures in words, and the CSV export."""
