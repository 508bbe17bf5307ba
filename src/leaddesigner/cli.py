def main(argv=None):
    print("leaddesigner")
    return 0
