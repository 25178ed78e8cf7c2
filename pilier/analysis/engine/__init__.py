"""The analysis engine: pure Python (no Django), every figure with the steps that make it.

A figure's steps are replayable: each step names its operation and the earlier steps (or
literals) it works on, so `replay(steps)` recomputes every value and a broker can redo the sum.
"""
