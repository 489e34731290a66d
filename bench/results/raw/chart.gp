set terminal pngcairo size 1800,1040 font "DejaVu Sans,10"
set output "/tmp/bench/main/bench/results/chart.png"
set multiplot layout 2,3
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.9 border -1
set boxwidth 0.9
set xtics rotate by -45 scale 0 font ',8'
set key below horizontal font ',8'
set grid ytics
set datafile missing 'NaN'
unset logscale y
set yrange [-40:40]
set title '6.1: guest instructions per page/job, % vs stock (clipped at ±40%)'
plot '/tmp/bench/main/bench/results/raw/chart-6.1.dat' index 0 using 2:xtic(1) title 'stock' , '/tmp/bench/main/bench/results/raw/chart-6.1.dat' index 0 using 3:xtic(1) title 'thp-always' , '/tmp/bench/main/bench/results/raw/chart-6.1.dat' index 0 using 4:xtic(1) title 'mthp-16k' , '/tmp/bench/main/bench/results/raw/chart-6.1.dat' index 0 using 5:xtic(1) title 'madv-populate' , '/tmp/bench/main/bench/results/raw/chart-6.1.dat' index 0 using 6:xtic(1) title 'fab-4096' , '/tmp/bench/main/bench/results/raw/chart-6.1.dat' index 0 using 7:xtic(1) title 'ff-8' , '/tmp/bench/main/bench/results/raw/chart-6.1.dat' index 0 using 8:xtic(1) title 'ff-16' , '/tmp/bench/main/bench/results/raw/chart-6.1.dat' index 0 using 9:xtic(1) title 'pool-on' , '/tmp/bench/main/bench/results/raw/chart-6.1.dat' index 0 using 10:xtic(1) title 'zo-thp' , '/tmp/bench/main/bench/results/raw/chart-6.1.dat' index 0 using 11:xtic(1) title 'zph-thp'
set logscale y
set yrange [0.001:100]
set title '6.1: hardware faults per page/job (log; exec-loop per 100 jobs)'
plot '/tmp/bench/main/bench/results/raw/chart-6.1.dat' index 1 using 2:xtic(1) title 'stock' , '/tmp/bench/main/bench/results/raw/chart-6.1.dat' index 1 using 3:xtic(1) title 'thp-always' , '/tmp/bench/main/bench/results/raw/chart-6.1.dat' index 1 using 4:xtic(1) title 'mthp-16k' , '/tmp/bench/main/bench/results/raw/chart-6.1.dat' index 1 using 5:xtic(1) title 'madv-populate' , '/tmp/bench/main/bench/results/raw/chart-6.1.dat' index 1 using 6:xtic(1) title 'fab-4096' , '/tmp/bench/main/bench/results/raw/chart-6.1.dat' index 1 using 7:xtic(1) title 'ff-8' , '/tmp/bench/main/bench/results/raw/chart-6.1.dat' index 1 using 8:xtic(1) title 'ff-16' , '/tmp/bench/main/bench/results/raw/chart-6.1.dat' index 1 using 9:xtic(1) title 'pool-on' , '/tmp/bench/main/bench/results/raw/chart-6.1.dat' index 1 using 10:xtic(1) title 'zo-thp' , '/tmp/bench/main/bench/results/raw/chart-6.1.dat' index 1 using 11:xtic(1) title 'zph-thp'
set yrange [0.5:100]
set title '6.1: RSS per touched page (log; exec-loop n/a)'
plot '/tmp/bench/main/bench/results/raw/chart-6.1.dat' index 2 using 2:xtic(1) title 'stock' , '/tmp/bench/main/bench/results/raw/chart-6.1.dat' index 2 using 3:xtic(1) title 'thp-always' , '/tmp/bench/main/bench/results/raw/chart-6.1.dat' index 2 using 4:xtic(1) title 'mthp-16k' , '/tmp/bench/main/bench/results/raw/chart-6.1.dat' index 2 using 5:xtic(1) title 'madv-populate' , '/tmp/bench/main/bench/results/raw/chart-6.1.dat' index 2 using 6:xtic(1) title 'fab-4096' , '/tmp/bench/main/bench/results/raw/chart-6.1.dat' index 2 using 7:xtic(1) title 'ff-8' , '/tmp/bench/main/bench/results/raw/chart-6.1.dat' index 2 using 8:xtic(1) title 'ff-16' , '/tmp/bench/main/bench/results/raw/chart-6.1.dat' index 2 using 9:xtic(1) title 'pool-on' , '/tmp/bench/main/bench/results/raw/chart-6.1.dat' index 2 using 10:xtic(1) title 'zo-thp' , '/tmp/bench/main/bench/results/raw/chart-6.1.dat' index 2 using 11:xtic(1) title 'zph-thp'
unset logscale y
set yrange [-40:40]
set title '6.12: guest instructions per page/job, % vs stock (clipped at ±40%)'
plot '/tmp/bench/main/bench/results/raw/chart-6.12.dat' index 0 using 2:xtic(1) title 'stock' , '/tmp/bench/main/bench/results/raw/chart-6.12.dat' index 0 using 3:xtic(1) title 'thp-always' , '/tmp/bench/main/bench/results/raw/chart-6.12.dat' index 0 using 4:xtic(1) title 'mthp-16k' , '/tmp/bench/main/bench/results/raw/chart-6.12.dat' index 0 using 5:xtic(1) title 'madv-populate' , '/tmp/bench/main/bench/results/raw/chart-6.12.dat' index 0 using 6:xtic(1) title 'fab-4096' , '/tmp/bench/main/bench/results/raw/chart-6.12.dat' index 0 using 7:xtic(1) title 'ff-8' , '/tmp/bench/main/bench/results/raw/chart-6.12.dat' index 0 using 8:xtic(1) title 'ff-16' , '/tmp/bench/main/bench/results/raw/chart-6.12.dat' index 0 using 9:xtic(1) title 'pool-on' , '/tmp/bench/main/bench/results/raw/chart-6.12.dat' index 0 using 10:xtic(1) title 'zo-thp' , '/tmp/bench/main/bench/results/raw/chart-6.12.dat' index 0 using 11:xtic(1) title 'zph-thp'
set logscale y
set yrange [0.001:100]
set title '6.12: hardware faults per page/job (log; exec-loop per 100 jobs)'
plot '/tmp/bench/main/bench/results/raw/chart-6.12.dat' index 1 using 2:xtic(1) title 'stock' , '/tmp/bench/main/bench/results/raw/chart-6.12.dat' index 1 using 3:xtic(1) title 'thp-always' , '/tmp/bench/main/bench/results/raw/chart-6.12.dat' index 1 using 4:xtic(1) title 'mthp-16k' , '/tmp/bench/main/bench/results/raw/chart-6.12.dat' index 1 using 5:xtic(1) title 'madv-populate' , '/tmp/bench/main/bench/results/raw/chart-6.12.dat' index 1 using 6:xtic(1) title 'fab-4096' , '/tmp/bench/main/bench/results/raw/chart-6.12.dat' index 1 using 7:xtic(1) title 'ff-8' , '/tmp/bench/main/bench/results/raw/chart-6.12.dat' index 1 using 8:xtic(1) title 'ff-16' , '/tmp/bench/main/bench/results/raw/chart-6.12.dat' index 1 using 9:xtic(1) title 'pool-on' , '/tmp/bench/main/bench/results/raw/chart-6.12.dat' index 1 using 10:xtic(1) title 'zo-thp' , '/tmp/bench/main/bench/results/raw/chart-6.12.dat' index 1 using 11:xtic(1) title 'zph-thp'
set yrange [0.5:100]
set title '6.12: RSS per touched page (log; exec-loop n/a)'
plot '/tmp/bench/main/bench/results/raw/chart-6.12.dat' index 2 using 2:xtic(1) title 'stock' , '/tmp/bench/main/bench/results/raw/chart-6.12.dat' index 2 using 3:xtic(1) title 'thp-always' , '/tmp/bench/main/bench/results/raw/chart-6.12.dat' index 2 using 4:xtic(1) title 'mthp-16k' , '/tmp/bench/main/bench/results/raw/chart-6.12.dat' index 2 using 5:xtic(1) title 'madv-populate' , '/tmp/bench/main/bench/results/raw/chart-6.12.dat' index 2 using 6:xtic(1) title 'fab-4096' , '/tmp/bench/main/bench/results/raw/chart-6.12.dat' index 2 using 7:xtic(1) title 'ff-8' , '/tmp/bench/main/bench/results/raw/chart-6.12.dat' index 2 using 8:xtic(1) title 'ff-16' , '/tmp/bench/main/bench/results/raw/chart-6.12.dat' index 2 using 9:xtic(1) title 'pool-on' , '/tmp/bench/main/bench/results/raw/chart-6.12.dat' index 2 using 10:xtic(1) title 'zo-thp' , '/tmp/bench/main/bench/results/raw/chart-6.12.dat' index 2 using 11:xtic(1) title 'zph-thp'
unset multiplot
