# os._exit ends the program at once with its status (it was 1 whatever the status).
import os

print("before exit", flush=True)
os._exit(7)
print("after exit")
