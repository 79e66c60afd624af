// jest setup (setupFilesAfterEnv): DOM matchers.
import '@testing-library/jest-dom';
