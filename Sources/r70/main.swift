print("r70")
