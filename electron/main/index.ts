import { startApp } from './start-app';

void startApp();
