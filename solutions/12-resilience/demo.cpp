// Chapter 12's classroom demo (placeholder while the chapter is written).
int main() {
    return 0;
}
