"""The grading engine: release labs, grade submissions (record in the kernel, judge in this process), export."""
