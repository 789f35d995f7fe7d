def is_valid(s):
    opening = {")": "(", "]": "[", "}": "{"}
    stack = []
    for ch in s:
        if ch in opening:
            if not stack or stack.pop() != opening[ch]:
                return False
        else:
            stack.append(ch)
    return not stack
