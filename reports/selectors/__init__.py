"""Queries that compute the reports' figures. They aggregate in SQL and return `Report`s;
views only choose the period and render. Nothing here writes, and nothing reads a member's
personal values: the trail holds ids and codes, and records are never queried.
"""
